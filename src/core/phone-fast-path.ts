import { Metadata } from 'libphonenumber-js/max';

/**
 * The accessors of libphonenumber-js's `Metadata` read here. They are the ones the library's own parser uses;
 * its typings declare only `selectNumberingPlan`, so they are checked at run time and any surprise disables
 * the fast path instead of guessing.
 */
interface NumberingPlanAccess {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  possibleLengths(): readonly number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: string): { pattern(): string; possibleLengths(): readonly number[] | undefined } | undefined;
}

interface MetadataAccess {
  selectNumberingPlan(country: string): void;
  getCountryCodesForCallingCode(callingCode: string): readonly string[] | undefined;
  numberingPlan?: NumberingPlanAccess;
}

/** A country's numbering plan with its patterns compiled once, as libphonenumber-js compiles them on every call. */
interface FastPlan {
  readonly callingCode: string;
  readonly idd: RegExp;
  readonly general: RegExp;
  readonly minLength: number;
  readonly maxLength: number;
  readonly types: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp; readonly lengths: readonly number[] | undefined }>;
}

// every type `getNumberType` tries: a number is valid when it matches the plan and at least one of them
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
// libphonenumber-js's bounds on a national significant number
const MIN_NSN = 2;
const MAX_NSN = 17;
// a leading + and ASCII digits, separated only by spaces, dots, dashes and slashes (all of them punctuation to the
// library), ending with a digit; anything else (brackets, tabs, letters) takes the slow path
const PLAIN_SHAPE = /^\+?\d(?:[ .\-/]*\d)*$/;
const SEPARATORS = /[ .\-/]/g;

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

/**
 * The plan of a country where reading a number needs no national-prefix rules: no national prefix, no leading
 * digits, the first country of its calling code. Italy is one; for any other the answer is null (slow path).
 */
function buildPlan(country: string): FastPlan | null {
  try {
    const metadata = new Metadata() as unknown as MetadataAccess;
    metadata.selectNumberingPlan(country);
    const plan = metadata.numberingPlan;
    if (plan === undefined || !plan.hasTypes() || plan.nationalPrefixForParsing() || plan.leadingDigits()) return null;
    const callingCode = plan.callingCode();
    const idd = plan.IDDPrefix();
    const lengths = plan.possibleLengths();
    if (metadata.getCountryCodesForCallingCode(callingCode)?.[0] !== country || !idd || lengths === undefined || lengths.length === 0) return null;
    const types = NUMBER_TYPES.flatMap((name) => {
      const type = plan.type(name);
      const pattern = type?.pattern();
      return type === undefined || !pattern ? [] : [{ name, pattern: whole(pattern), lengths: type.possibleLengths() }];
    });
    return {
      callingCode,
      idd: new RegExp(`^(?:${idd})`),
      general: whole(plan.nationalNumberPattern()),
      minLength: Math.max(MIN_NSN, Math.min(...lengths)),
      maxLength: Math.min(MAX_NSN, Math.max(...lengths)),
      types,
    };
  } catch {
    return null;
  }
}

const plans = new Map<string, FastPlan | null>();

function planOf(country: string): FastPlan | null {
  let plan = plans.get(country);
  if (plan === undefined) {
    plan = buildPlan(country);
    plans.set(country, plan);
  }
  return plan;
}

function isValidNational(plan: FastPlan, national: string): boolean {
  if (national.length < plan.minLength || national.length > plan.maxLength || !plan.general.test(national)) return false;
  return plan.types.some((t) => (t.lengths === undefined || t.lengths.includes(national.length)) && t.pattern.test(national));
}

/**
 * The E.164 form of a number written plainly (`333 123 4567`, `+39 333-1234567`, `0039 333 1234567`) for the
 * default `country` (upper case), found with the library's own patterns compiled once: about 30 times faster
 * than parsing, which matters for a million-row import. It answers only when the number is valid for the
 * default country itself, where libphonenumber-js gives the same answer by the same rules; otherwise (another
 * country's prefix, a number valid only for a country sharing the calling code, an invalid number, an unusual
 * spelling) it returns undefined and the caller asks the library.
 */
export function plainE164(text: string, country: string): string | undefined {
  if (text.length > 40 || !PLAIN_SHAPE.test(text)) return undefined;
  const plan = planOf(country);
  if (plan === null) return undefined;
  const digits = text.replace(SEPARATORS, '');
  let national: string;
  if (digits.startsWith('+')) {
    if (!digits.startsWith(plan.callingCode, 1)) return undefined;
    national = digits.slice(1 + plan.callingCode.length);
  } else {
    const idd = plan.idd.exec(digits);
    if (idd === null) national = digits;
    else {
      const international = digits.slice(idd[0].length);
      if (!international.startsWith(plan.callingCode)) return undefined;
      national = international.slice(plan.callingCode.length);
    }
  }
  if (!isValidNational(plan, national)) return undefined;
  // `digits` is already the E.164 form when written so; else one flat string is built (a template literal would
  // make a two-part string that is copied again when it becomes a Map key, a million times in a big import)
  return digits.startsWith('+') ? digits : ['+', plan.callingCode, national].join('');
}

function isOfType(plan: FastPlan, national: string, name: string): boolean | undefined {
  const type = plan.types.find((t) => t.name === name);
  if (type === undefined) return undefined;
  return (type.lengths === undefined || type.lengths.includes(national.length)) && type.pattern.test(national);
}

/**
 * Whether an E.164 number of the default `country` (upper case) is only a fixed line — what libphonenumber-js's
 * `getType()` calls FIXED_LINE (not FIXED_LINE_OR_MOBILE) — found with the patterns compiled once: a mobile
 * number (most of them) costs one pattern. Undefined when the plan cannot tell (another country's number, a type
 * neither mobile nor fixed): the caller then asks the library.
 */
export function isPlainFixedLine(e164: string, country: string): boolean | undefined {
  const plan = planOf(country);
  if (plan === null || !e164.startsWith(plan.callingCode, 1)) return undefined;
  const national = e164.slice(1 + plan.callingCode.length);
  if (national.length < plan.minLength || national.length > plan.maxLength || !plan.general.test(national)) return undefined;
  const mobile = isOfType(plan, national, 'MOBILE');
  if (mobile === true) return false;
  const fixed = isOfType(plan, national, 'FIXED_LINE');
  return fixed === true && mobile === false ? true : undefined;
}
