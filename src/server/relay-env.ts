/** The typed context variables every handler can read (set once by middleware). */
export interface RelayEnv {
  Variables: {
    requestId: string;
  };
}
