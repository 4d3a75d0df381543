export * from './detect';
export * from './simulate';
export * from './words';
export * from './check';
