// Appends each jest run's totals to the file named by CONVENE_TEST_SUMMARY, so .ci/run can print one plain
// "N passed, N failed" line for every run that `npm test` makes.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    // eslint-disable-next-line no-restricted-properties -- a test reporter, configured by the CI script
    const file = process.env.CONVENE_TEST_SUMMARY;
    if (file === undefined || file === '') return;
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped } = results;
    const broken = results.numRuntimeErrorTestSuites;
    appendFileSync(file, `${JSON.stringify({ passed, failed: failed + broken, skipped })}\n`);
  }
}
