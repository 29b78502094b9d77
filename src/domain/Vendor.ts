/**
 * The one name the bot speaks for the vendor with (VENDOR_NAME): greetings, the widget, warranty
 * and service answers, the Teams app. Knowledge text that speaks for the vendor writes
 * `{vendor}`, filled at load; quoted policy text stays verbatim (it names its own maker) and is
 * always attributed to the policy it comes from.
 */
export const DEFAULT_VENDOR_NAME = 'CamSupport';

export const VENDOR_PLACEHOLDER = '{vendor}';

/** `value` with every `{vendor}` in its strings (at any depth) replaced by the vendor's name. */
export function withVendor<T>(value: T, vendorName: string): T {
  if (typeof value === 'string') return value.split(VENDOR_PLACEHOLDER).join(vendorName) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withVendor(v, vendorName)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withVendor(v, vendorName)])) as T;
  }
  return value;
}
