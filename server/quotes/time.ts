// Times in messages are Beijing time (docs/views.md "Beijing time on screen"), whatever the server's zone.
const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export const beijing = (ms: number): string => fmt.format(ms);
