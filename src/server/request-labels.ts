/** Provider and model a request was for, as metric labels and log fields. */
export interface RequestLabels {
  provider: string;
  model: string;
}
