import Syntax

/// Summarises scope analysis for display. Filled in once `Syntax.ScopeAnalysis` lands.
func summarizeBindings(_ tree: Tree) -> [ParseReport.BindingSummary] {
  []
}
