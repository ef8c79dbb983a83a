const HOUR = 3_600_000;
/** Vietnam is UTC+7 all year (no daylight saving): working days are counted on its calendar. */
const ICT_OFFSET = 7 * HOUR;

/**
 * The acknowledgement deadline of a personal-data request: the end (23:59:59.999, Vietnam time)
 * of the 2nd working day after the day it was received. Working days skip Saturday and Sunday
 * only: public holidays (Tết, 30/4, 1/5, 2/9, …) are NOT counted as non-working here — their
 * dates move with the lunar calendar and the government's yearly decisions, and no list of them
 * is kept — so near a holiday the deadline shown is earlier than the law's, never later.
 */
export const acknowledgementDue = (receivedAt: Date, workingDays = 2): Date => {
  const local = new Date(receivedAt.getTime() + ICT_OFFSET);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  for (let counted = 0; counted < workingDays; ) {
    day.setUTCDate(day.getUTCDate() + 1);
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted++;
  }
  return new Date(day.getTime() + 24 * HOUR - 1 - ICT_OFFSET);
};
