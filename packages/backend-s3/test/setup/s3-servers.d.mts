export interface S3Credentials {
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
export interface RunningServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}
export interface RunningSwift extends RunningServer {
  readonly dir: string;
  readonly pids: number[];
}
export declare const SWIFT_CREDENTIALS: S3Credentials;
export declare const FAUXQS_CREDENTIALS: S3Credentials;
export declare function installSwift(): Promise<void>;
export declare function findFreePortBlock(count?: number): Promise<number>;
export declare function stopPids(pids: number[], timeoutMs?: number): Promise<void>;
export declare function startSwift(options?: { install?: boolean; attempts?: number }): Promise<RunningSwift>;
export declare function startFauxqs(): Promise<RunningServer>;
