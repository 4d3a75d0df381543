export * from './send';
export * from './clients';
export * from './senders';
export * from './payloads';
export * from './rows';
export * from './settle';
