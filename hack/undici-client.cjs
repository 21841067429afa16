// What the CLI build gives `import { Pool } from 'undici'` in pkg/client (hack/build.mjs): undici's Pool with
// the request API, without the rest of undici's index (fetch, WebSocket, cookies, mocks, caches), which costs a
// client command about a third of its start. The same two steps as undici's index.js: Pool, then the api methods
// (request, stream, ...) on Dispatcher.prototype. A test runs the built client against a server (cmd/drover).
'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Pool = require('undici/lib/dispatcher/pool');
const api = require('undici/lib/api');

Object.assign(Dispatcher.prototype, api);
module.exports = { Pool };
