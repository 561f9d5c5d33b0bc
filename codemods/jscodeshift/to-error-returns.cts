import nodePath = require('node:path');
import threaded = require('./threaded-transform.cjs');

export = threaded.createThreadedTransform(nodePath.join(__dirname, '../to-error-returns.js'));
