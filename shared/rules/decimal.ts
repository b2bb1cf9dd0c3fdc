// One Decimal constructor for the whole engine: 40 significant digits (amounts up to 10^12 yuan with
// room for exact ratios), and half-up (四舍五入) as the default rounding, which every seed uses
// (000 L328; 003 Ch3 §7.1 L753; 004 §5.2.3 L1193). Use `D`, never the global Decimal, so that a
// caller's configuration cannot change ours.
import DecimalBase from 'decimal.js';

export const D = DecimalBase.clone({ precision: 40, rounding: DecimalBase.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

/** A rubric number or decimal string as an exact Decimal. Numbers come from JSON and are short
 *  decimals as written ("0.5"), so String(n) recovers the written value exactly. */
export function dec(v: number | string | Dec): Dec {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return new D(String(v));
  }
  return new D(v);
}

/** Round half-up to `places` and print with exactly that many decimals. */
export function fixed(v: Dec, places = 2): string {
  return v.toDecimalPlaces(places, D.ROUND_HALF_UP).toFixed(places);
}
