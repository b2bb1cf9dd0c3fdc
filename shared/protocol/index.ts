export * from './version';
export * from './roles';
export * from './errors';
export * from './ack';
export * from './commands';
export * from './authz';
export * from './server-events';
export * from './foundation';
