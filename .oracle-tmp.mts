import { parseTimePhrase } from "./src/domain/time-phrase.ts";
import { addDays, dateInZone, instantOfLocalTime } from "./src/domain/calendar-date.ts";
const zones = ["Asia/Shanghai","Europe/Berlin","America/New_York","Australia/Sydney","Pacific/Auckland","America/Los_Angeles"];
let bad = 0, n = 0;
const wd = (d: string) => new Date(d + "T00:00:00Z").getUTCDay();
const hourIn = (at: Date, z: string) => Number(new Intl.DateTimeFormat("en-US", { timeZone: z, hourCycle: "h23", hour: "numeric" }).format(at));
for (let t = Date.parse("2026-01-01T00:00:00Z"); t < Date.parse("2027-01-01T00:00:00Z"); t += 5 * 3600_000 + 17 * 60_000) for (const z of zones) {
  const now = new Date(t); const today = dateInZone(now, z); const h = hourIn(now, z);
  const L = (d: string, hh: number, mm = 0) => instantOfLocalTime(d, z, hh, mm).toISOString();
  const wdToday = wd(today);
  const nextWd = (w: number, hh: number) => { let k = (w - wdToday + 7) % 7; if (k === 0 && L(today, hh) <= now.toISOString()) k = 7; return L(addDays(today, k), hh); };
  const exp: Record<string, string> = {
    "tomorrow 9am": L(addDays(today, 1), 9),
    "tomorrow": L(addDays(today, 1), 9),
    "tonight": L(today, 20),
    "this afternoon": L(today, 15),
    "Monday": nextWd(1, 9),
    "Friday 15:30": (() => { let k = (5 - wdToday + 7) % 7; if (k === 0 && L(today, 15, 30) <= now.toISOString()) k = 7; return L(addDays(today, k), 15, 30); })(),
    "5pm": L(today, 17) > now.toISOString() ? L(today, 17) : L(addDays(today, 1), 17),
    "in 2 hours": new Date(t + 7200_000).toISOString(),
    "2小时后": new Date(t + 7200_000).toISOString(),
    "后天": L(addDays(today, 2), 9),
    "今晚8点": L(today, 20),
    "今天下午5点": L(today, 17),
    "周五下午3点": (() => { let k = (5 - wdToday + 7) % 7; if (k === 0 && L(today, 15) <= now.toISOString()) k = 7; return L(addDays(today, k), 15); })(),
    "下周一": L(addDays(today, 1 + 7 - wdToday), 9),
    "2026-12-01 10:00": L("2026-12-01", 10),
  };
  if (h > 1) exp["明天上午9点"] = L(addDays(today, 1), 9);
  for (const [p, e] of Object.entries(exp)) { n++; const got = parseTimePhrase(p, { now, timeZone: z })?.at.toISOString(); if (got !== e) { bad++; if (bad < 30) console.log(now.toISOString(), z, p, "got", got, "want", e); } }
}
console.log("checked", n, "bad", bad);
