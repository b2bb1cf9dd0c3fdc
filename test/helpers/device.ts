import { createHash } from 'node:crypto';

/**
 * The device key a test uses for a person's own device: derived from the join token, so that the
 * socket drivers (test/helpers) and the browser context that opens the same link later
 * (test/e2e/fixtures.ts openDevice) are one device, as a person's laptop is from first to last.
 */
export const testDeviceKey = (token: string): string => 'test-' + createHash('sha256').update('device:' + token).digest('hex').slice(0, 32);
