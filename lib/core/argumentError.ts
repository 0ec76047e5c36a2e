/**
 * The one error for a bad argument to a library function (a builder's option, a name not in a table): its message
 * names the function and the value received and says what to give instead, in the reader's language
 * (`say({ en, ko })`: Korean in a notebook, English in a terminal).
 */
import { say, type Bilingual } from './messages';

/** A bad argument: `new ArgumentError({ en, ko })`, each sentence `<function>: <what is wrong>. Received: <value>`. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';

  constructor(message: Bilingual) {
    super(say(message));
  }
}
