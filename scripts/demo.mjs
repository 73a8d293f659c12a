// `npm run demo`: the trading demo (market-data feed, trading algorithm, live dashboard) is
// not built yet; say so plainly instead of failing in a confusing way.
console.log(
  [
    'Seamless demo: not available yet.',
    '',
    'The trading demo (market-data feed -> trading algorithm -> live dashboard, all over',
    'Seamless) arrives with apps/demo in a later release. Until then, `npm test` runs the',
    'test suite, and each package README under packages/ has a runnable example.',
  ].join('\n'),
);
