// The raw limit of dev-ready.ts: the least a Node process can do to answer /readyz on a port (argv[2]).
import { createServer } from 'node:http';

createServer((_req, res) => res.end('ok')).listen(Number(process.argv[2]), '127.0.0.1');
