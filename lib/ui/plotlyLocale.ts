/**
 * plotly.js's Korean locale, for the toolbar's tooltips and messages (the cartesian bundle ships no locales): the
 * module that `Plotly.register` takes, registered in the page once before the first Korean figure is drawn.
 */

/** The locale module (`moduleType: 'locale'`) with the strings the lesson's figures can show. */
export const PLOTLY_KO_LOCALE = {
  moduleType: 'locale',
  name: 'ko',
  dictionary: {
    Autoscale: '자동 맞춤',
    'Box Select': '상자로 선택',
    'Compare data on hover': '마우스를 올리면 값 비교',
    'Double-click to zoom back out': '두 번 클릭하면 원래 크기로',
    'Download plot': '그림 내려받기',
    'Download plot as a png': '그림을 PNG로 내려받기',
    'Lasso Select': '올가미로 선택',
    Pan: '이동',
    'Produced with Plotly.js': 'Plotly.js로 만듦',
    'Reset axes': '축 되돌리기',
    'Reset view': '보기 되돌리기',
    'Show closest data on hover': '마우스를 올리면 가장 가까운 값 보기',
    'Snapshot succeeded': '그림을 저장했습니다',
    'Sorry, there was a problem downloading your snapshot!': '그림을 내려받지 못했습니다',
    'Taking snapshot - this may take a few seconds': '그림을 만드는 중입니다 (몇 초 걸릴 수 있습니다)',
    'Toggle Spike Lines': '보조선 켜기/끄기',
    Zoom: '확대 영역 고르기',
    'Zoom in': '확대',
    'Zoom out': '축소',
  },
  format: {
    days: ['일요일', '월요일', '화요일', '수요일', '목요일', '금요일', '토요일'],
    shortDays: ['일', '월', '화', '수', '목', '금', '토'],
    months: ['1월', '2월', '3월', '4월', '5월', '6월', '7월', '8월', '9월', '10월', '11월', '12월'],
    shortMonths: ['1월', '2월', '3월', '4월', '5월', '6월', '7월', '8월', '9월', '10월', '11월', '12월'],
    date: '%Y-%m-%d',
  },
} as const;
