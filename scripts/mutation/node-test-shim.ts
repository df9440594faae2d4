/**
 * Stand-in for `node:test` under the in-process mutation runner (scripts/mutation/in-process.ts maps the
 * specifier `node:test` here). It only forwards to the harness, which registers the tests so that it can run
 * them again and again in one process. Outside the harness it throws: nothing else imports it.
 */
import { shimApi } from './in-process.ts';

const api = shimApi();

export const test = api.test;
export const it = api.test;
export const describe = api.describe;
export const suite = api.describe;
export const before = api.before;
export const after = api.after;
export const beforeEach = api.beforeEach;
export const afterEach = api.afterEach;
export const mock = api.mock;
export const skip = api.test.skip;
export const todo = api.test.todo;
export const only = api.test.only;
export default api.test;
