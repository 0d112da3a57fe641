// Renders a page in Debian's headless Chromium, for tests that check pictures in a real
// browser. Tests skip when /usr/bin/chromium is not installed (scripts/install-deps.sh
// installs it for the README's test command).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "support/run_heed.h"

namespace heed::testing {

inline const char* kChromium = "/usr/bin/chromium";

inline bool have_chromium() { return std::filesystem::exists(kChromium); }

struct BrowserRender {
  std::string dom;           // the document after parsing and layout (--dump-dom)
  std::uintmax_t png_bytes;  // size of a 1400 x 1800 screenshot of the page
};

// nullopt when Chromium fails. `work` is a scratch file prefix.
inline std::optional<BrowserRender> render_in_chromium(const std::string& page, const std::string& work) {
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars"
                            " --no-first-run --window-size=1400,1800 ";
  const std::string url = "file://" + std::filesystem::absolute(page).string();
  const std::string dom = work + ".dom.html", png = work + ".png";
  const std::string quiet = " 2>/dev/null";
  if (std::system(("timeout 120 " + std::string(kChromium) + flags + "--dump-dom '" + url + "' > '" + dom + "'" + quiet)
                      .c_str()) != 0) {
    return std::nullopt;
  }
  if (std::system(("timeout 120 " + std::string(kChromium) + flags + "--screenshot='" + png + "' '" + url + "'" + quiet)
                      .c_str()) != 0 ||
      !std::filesystem::exists(png)) {
    return std::nullopt;
  }
  return BrowserRender{read_text(dom), std::filesystem::file_size(png)};
}

// The screenshot size of an empty white page, to tell a blank render from a picture.
inline std::uintmax_t blank_png_bytes(const std::string& work) {
  write_text(work + ".blank.html", "<!DOCTYPE html><html><body></body></html>");
  const auto blank = render_in_chromium(work + ".blank.html", work + ".blank");
  return blank ? blank->png_bytes : 0;
}

inline size_t count_occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace heed::testing
