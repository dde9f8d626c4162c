export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly pid: number;
  /** SIGTERM (then SIGKILL after 10 s); idempotent. */
  stop(): Promise<void>;
}
export declare function installRedis(): Promise<void>;
export declare function startRedis(options?: {
  port?: number;
  install?: boolean;
  attempts?: number;
  /** Extra redis-server arguments, e.g. ['--requirepass', 'x']. */
  args?: string[];
}): Promise<RunningRedis>;
