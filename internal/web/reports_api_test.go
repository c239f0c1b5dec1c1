package web

// reportNames are the reports under /api/v1/reports/: the role matrix
// walks each.
var reportNames = []string{"trained", "certified"}
