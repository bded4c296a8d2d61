export const STAGES = ["LEAD", "PROSPECT", "ACTIVE", "AT_RISK", "CHURNED"] as const;
export type Stage = (typeof STAGES)[number];
