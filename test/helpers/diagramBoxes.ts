/** Reading the boxes of a static diagram (lib/ui/diagram.ts) in tests. */

/** The texts of the boxes of one kind (`<g class="box <kind>">`, a regular expression), each as its lines. */
export function boxTexts(svg: string, kind: string): string[][] {
  return [...svg.matchAll(new RegExp(`<g class="box ${kind}">([\\s\\S]*?)</g>`, 'g'))].map((m) =>
    [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]),
  );
}
