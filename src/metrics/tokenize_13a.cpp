// sacreBLEU's 13a tokenizer (mteval-v13a.pl), reimplemented on UTF-8 bytes.
//
// Steps, in sacreBLEU's order: drop "<skipped>", join "-\n", "\n" -> " ", unescape
// &quot; &amp; &lt; &gt; (one pass each, in that order), pad with spaces, then four
// regex substitutions and whitespace collapsing. Each regex matches two single
// characters, so a left-to-right scan with non-overlapping matches is exactly
// re.sub; non-ASCII bytes only ever match the "[^0-9]" side, which gives the same
// output as matching whole code points.
#include <string>
#include <string_view>

#include "metrics/bleu.h"
#include "util/pytext.h"

namespace heed {
namespace {

// Python str.replace(from, to): non-overlapping, left to right.
std::string replace_all(const std::string& text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(text, pos, hit - pos);
    out.append(to);
  }
  out.append(text, pos, std::string::npos);
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// r'([\{-\~\[-\` -\&\(-\+\:-\@\/])': ASCII punctuation except ' , - . (and space itself).
bool is_split_punct(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

}  // namespace

std::string tokenize_13a(const std::string& input) {
  std::string line = replace_all(input, "<skipped>", "");
  line = replace_all(line, "-\n", "");
  line = replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    line = replace_all(line, "&quot;", "\"");
    line = replace_all(line, "&amp;", "&");
    line = replace_all(line, "&lt;", "<");
    line = replace_all(line, "&gt;", ">");
  }
  line = " " + line + " ";

  // 1. r' \1 ' around punctuation.
  std::string s;
  s.reserve(line.size() * 2);
  for (const char c : line) {
    if (is_split_punct(c)) {
      s += ' ';
      s += c;
      s += ' ';
    } else {
      s += c;
    }
  }

  // 2. ([^0-9])([\.,]) -> '\1 \2 ': period/comma unless preceded by a digit.
  std::string t;
  t.reserve(s.size() * 2);
  for (size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && !is_digit(s[i]) && is_period_or_comma(s[i + 1])) {
      t += s[i];
      t += ' ';
      t += s[i + 1];
      t += ' ';
      i += 2;
    } else {
      t += s[i++];
    }
  }

  // 3. ([\.,])([^0-9]) -> ' \1 \2': period/comma unless followed by a digit.
  s.clear();
  for (size_t i = 0; i < t.size();) {
    if (i + 1 < t.size() && is_period_or_comma(t[i]) && !is_digit(t[i + 1])) {
      s += ' ';
      s += t[i];
      s += ' ';
      s += t[i + 1];
      i += 2;
    } else {
      s += t[i++];
    }
  }

  // 4. ([0-9])(-) -> '\1 \2 ': dash after a digit.
  t.clear();
  for (size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && is_digit(s[i]) && s[i + 1] == '-') {
      t += s[i];
      t += ' ';
      t += '-';
      t += ' ';
      i += 2;
    } else {
      t += s[i++];
    }
  }

  // ' '.join(line.split()) over Unicode whitespace.
  std::string out;
  for (const std::string& token : pytext::split(t)) {
    if (!out.empty()) out += ' ';
    out += token;
  }
  return out;
}

}  // namespace heed
