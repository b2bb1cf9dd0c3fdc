// The words of the procurement world (issue 13 item 1): every code a person could read has its label here.
export type { Text } from './text';
export * from './events';
export * from './codes';
export * from './people';
export * from './format';
export * from './terms';
