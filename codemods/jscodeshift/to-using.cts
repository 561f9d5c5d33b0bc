import nodePath = require('node:path');
import threaded = require('./threaded-transform.cjs');

export = threaded.createThreadedTransform(nodePath.join(__dirname, '../to-using.js'));
