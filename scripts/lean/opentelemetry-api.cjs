// Stands in for @opentelemetry/api in the daemon's bundle (scripts/bundle-daemon.mjs, leanShims):
// prom-client asks it for the active span only to label exemplars, which the daemon never turns
// on; were it asked, the answer is "no span", so no exemplar labels.
'use strict';

exports.context = { active: () => undefined };
exports.trace = { getSpan: () => undefined };
