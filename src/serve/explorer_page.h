// The attention explorer: the page `heed serve` answers GET / with. Self-contained (no
// CDN, no fonts, no build step): its HTML, CSS and JavaScript are src/serve/explorer.html,
// compiled into heed (cmake/explorer_page.cpp.in). It asks /v1/models for the models and
// their example sentences and /v1/translate for a translation with every attention
// matrix, and draws a heatmap per part, layer and head, a grid of every layer and head
// (BertViz's model view) and lines between tokens, one colour per head (its head view).
#pragma once

namespace heed {

const char* explorer_page_html();

}  // namespace heed
