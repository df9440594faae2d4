/**
 * The netfence engine: pure functions from a ClusterState to connectivity, with explanations.
 * No file, network or terminal I/O happens here.
 */
export * from './ports.ts';
export * from '../base/intervals.ts';
export * from './compile.ts';
export * from './connectivity.ts';
export * from './selectors.ts';
export * from './addresses.ts';
export * from '../base/ip.ts';
export type { PodClass } from './classes.ts';
export type { DomainReach, PeerMap, TierWalk } from './decisions.ts';
