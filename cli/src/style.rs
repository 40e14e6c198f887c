//! Colour on a terminal, never in a pipe or a file, never with `NO_COLOR`.

use std::io::IsTerminal;

/// Whether to colour one stream's output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// For standard output.
    pub fn stdout() -> Style {
        Style::new(std::io::stdout().is_terminal())
    }

    /// For standard error.
    pub fn stderr() -> Style {
        Style::new(std::io::stderr().is_terminal())
    }

    fn new(terminal: bool) -> Style {
        // https://no-color.org: set and not empty.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { colour: terminal && !no_color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Writes `error: message` on standard error.
    pub fn error(self, message: &str) {
        eprintln!("{} {message}", self.red("error:"));
    }

    /// Writes `warning: message` on standard error.
    pub fn warning(self, message: &str) {
        eprintln!("{} {message}", self.yellow("warning:"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_colour_outside_a_terminal() {
        assert_eq!(Style::new(false).red("x"), "x");
        assert_eq!(Style { colour: true }.red("x"), "\x1b[31mx\x1b[0m");
    }
}
