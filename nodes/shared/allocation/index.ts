/** Budget allocation core (issue 19): response curves per campaign and the allocator over them (no n8n imports). */
export * from './fit';
export * from './envelope';
export * from './plan';
export * from './simulate';
export * from './run';
