//! Writing a run's files: `summary.json`, `timeseries.csv`, `agents.csv`, `contracts.csv` (and the trade log streamed
//! by the recorder), each written under a temporary name and renamed into place only when the whole
//! run succeeded, so a killed or failed run never leaves a half-written file behind.

pub mod chart_data;
pub mod charts;
mod contracts_csv;
mod error;
mod files;
pub mod html;
mod rundir;
mod series_read;
mod terminal;
mod timeseries_parquet;
pub mod window;

pub use charts::{
    read_trade_marks, read_trade_marks_file, read_trade_marks_in, render_charts, render_price_comparison, ChartInput,
    ChartKind, Charts, KpiMark, KpiSeries, RenderedChart, TradeMarks, TradeScan,
};
pub use contracts_csv::{kpi_series, write_contracts_csv};
pub use error::OutputError;
pub use files::{write_agents_csv, write_summary_json, write_timeseries_csv, OutputDir};
pub use html::{render_report, ReportInput};
pub use rundir::RunDirCharts;
pub use terminal::{exact_thousands, terminal_summary, thousands};
pub use timeseries_parquet::write_timeseries_parquet;
pub use window::Window;
