/**
 * Translation is pure and never logs; what it wants said is returned as notes
 * and logged by the caller.
 */
export interface TranslationNote {
  level: 'debug' | 'warn';
  message: string;
}
