// Allure 3 configuration of the acceptance suite's HTML report (read by `npx allure generate`).
//
// Allure rejects unknown top-level keys, so everything here is a key of Allure 3.18's config
// (see node_modules/@allurereport/core/dist/config.js, validateConfig). The report is built by
// `python -m reporting.build`, which sets the environment variables read below.
import process from "node:process";

// A failure is classified by the tag its message starts with ("[contract drift] ..."),
// optionally after the exception's class name that pytest puts in front ("AssertionError: "),
// or by the `failure_category` label. docs/reporting.md describes the convention.
const FAILURE_CATEGORY_LABEL = "failure_category";
const FAILED = ["failed", "broken"];

const category = (name, tag) => ({
  id: tag.replace(/ /g, "-"),
  name,
  matchers: [
    { statuses: FAILED, message: new RegExp(`^(?:[\\w.]+: )?\\[${tag}\\]`, "i") },
    { statuses: FAILED, labels: { [FAILURE_CATEGORY_LABEL]: new RegExp(`^${tag}$`, "i") } },
  ],
  groupByMessage: true,
  expand: true,
});

export default {
  name: process.env.ALLURE_REPORT_NAME || "Trading API acceptance",
  output: "reports/html",
  historyPath: process.env.ALLURE_HISTORY_PATH || "reports/history/history.jsonl",
  historyLimit: 100,
  categories: [
    category("Product defect", "product defect"),
    category("Contract drift", "contract drift"),
    category("Environment", "environment"),
    category("Test defect", "test defect"),
    // A scenario tagged @defect:ID that failed as expected (reporting/pytest_plugin.py): listed
    // apart, so that known defects stay visible without counting as new failures.
    {
      id: "known-defect",
      name: "Known defect",
      matchers: { statuses: ["skipped"], message: /^XFAIL known defect/ },
      groupByMessage: true,
    },
    // Anything the suite did not classify lands here rather than in Allure's defaults, so a
    // missing classification is visible in the report.
    { id: "unclassified", name: "Unclassified failure", matchers: { statuses: FAILED } },
  ],
  plugins: {
    awesome: {
      options: {
        reportName: process.env.ALLURE_REPORT_NAME || "Trading API acceptance",
        singleFile: false,
        // The domain (epic), the Feature and the Rule (story), as the feature files nest them.
        groupBy: ["epic", "feature", "story"],
      },
    },
  },
};
