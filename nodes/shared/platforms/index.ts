export * from './types';
export * from './currency';
export * from './money';
export * from './http';
export * from './meta';
export * from './linkedin';
export * from './klaviyo';
export * from './google-ads';
