// The parts of Observable Plot the charts use, as one module that components/plot-figure.tsx loads on demand: a
// dynamic import of '@observablehq/plot' itself would bring every mark and all of d3 (390 KB, where these take 260).
export { barX, barY, cell, dot, legend, lineY, plot, ruleX, ruleY } from '@observablehq/plot';
