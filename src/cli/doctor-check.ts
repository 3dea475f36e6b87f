/** One line of `doctor`'s report. */
export interface DoctorCheck {
  status: 'ok' | 'warn' | 'fail';
  subject: string;
  detail: string;
  /** How to fix it (for warnings and failures). */
  fix?: string;
}
