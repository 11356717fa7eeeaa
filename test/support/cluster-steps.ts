// The steps of a real-Hadoop test (test/hadoop): a step that fails marks the run as failed, so
// the cluster's logs are kept, and its error names the folder they are in.

export class ClusterSteps {
  failed = false;

  /** `baseDir` gives the current cluster's folder (undefined before one started). */
  constructor(private readonly baseDir: () => string | undefined) {}

  /** Run a step; a failure keeps the logs and names them. */
  async step(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.failed = true;
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n(logs kept in ${this.baseDir() ?? '?'})`,
        { cause: error },
      );
    }
  }
}
