// Generated CSV inputs of the four file kinds that profile_notes compares (issue 20), shared by
// bench_loader (the reader stage per kind) and bench_codec (the transcoder on quoted records).
// The shapes follow scripts/gen_csv.py: (0) plain invoice rows with no quotes at all (the
// default), (1) --hard (quoted commas, doubled quotes, LF and CRLF inside quotes, non-ASCII,
// empty fields), (2) --quote-all (every field quoted), (3) --kind transactional (a quoted city
// with a comma, a free-text note in about half the rows with doubled quotes and newlines).
// Generated in C++ with a fixed std::mt19937 seed rather than by the script, so the benchmarks
// need no Python and every run measures the same bytes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>

namespace dsfill::bench {

enum class CsvKind : int { kPlain = 0, kHard = 1, kQuoteAll = 2, kTransactional = 3 };
inline constexpr int kCsvKinds = 4;

inline const char* csv_kind_name(CsvKind kind) {
  switch (kind) {
    case CsvKind::kPlain:
      return "plain";
    case CsvKind::kHard:
      return "hard";
    case CsvKind::kQuoteAll:
      return "quote-all";
    case CsvKind::kTransactional:
      return "transactional";
  }
  return "?";
}

// The description words of gen_csv.py's invoice rows.
inline const char* const kInvoiceWords[] = {
    "WHITE",   "HANGING", "HEART",    "T-LIGHT", "HOLDER",  "METAL",  "LANTERN", "CREAM",
    "CUPID",   "HEARTS",  "COAT",     "HANGER",  "KNITTED", "UNION",  "FLAG",    "HOT",
    "WATER",   "BOTTLE",  "RED",      "WOOLLY",  "HOTTIE",  "SET",    "OF",      "BABUSHKA",
    "NESTING", "BOXES",   "GLASS",    "STAR",    "FROSTED", "CANDLE", "VINTAGE", "JUMBO",
    "BAG",     "PINK",    "POLKADOT", "ALARM",   "CLOCK"};

namespace detail {

// Appends `field` quoted as gen_csv.py's quote() does: when forced, or when it holds a comma, a
// quote, CR or LF, or has leading or trailing spaces; quotes inside are doubled.
inline void append_field(std::string_view field, bool always, std::string& out) {
  const bool needs = always || field.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <std::size_t N>
const char* pick_from(std::mt19937& rng, const char* const (&items)[N]) {
  return items[rng() % N];
}

inline void append_invoice_row(std::mt19937& rng, std::uint64_t row, bool hard, bool quote_all,
                               std::string& out) {
  static const char* const kHard[] = {
      "Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
      "e, large",
      "na\xc3\xafve \"quoted\" text",
      "line one\nline two",
      "Z\xc3\xbcrich; Gen\xc3\xa8ve",
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83"
      "\x88",
      "emoji \xf0\x9f\x8e\x89 ok",
      "tab\there",
      "windows\r\nnewline",
      "",
      "a,b,c",
      "\"fully quoted\"",
      "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac",
      "trailing space "};
  static const char* const kCountries[] = {
      "United Kingdom",       "France",   "Germany",  "EIRE", "Spain", "Netherlands", "Norway",
      "C\xc3\xb4te d'Ivoire", "Portugal", "Australia"};
  static const char* const kSuffix[] = {"", "A", "B"};
  // Every draw is its own statement: the order of evaluation of function arguments is
  // unspecified, and the same seed must give the same file with any compiler.
  char buf[64];
  const auto field = [&](std::string_view f) {
    append_field(f, quote_all, out);
    out += ',';
  };
  field(std::to_string(row));
  field(std::to_string(536365 + row / 7));
  const unsigned stock = 10000 + rng() % 90000;
  field(std::to_string(stock) + pick_from(rng, kSuffix));
  std::string desc;
  const unsigned words = 2 + rng() % 5;
  for (unsigned w = 0; w < words; ++w) {
    if (w != 0) desc += ' ';
    desc += pick_from(rng, kInvoiceWords);
  }
  if (hard && rng() % 5 == 0) desc = pick_from(rng, kHard);
  field(desc);
  const int quantity = static_cast<int>(rng() % 54) - 5;
  field(std::to_string(quantity));
  const unsigned day = 1 + rng() % 28;
  const unsigned hour = 8 + rng() % 11;
  const unsigned minute = rng() % 60;
  std::snprintf(buf, sizeof buf, "2010-12-%02u %02u:%02u:00", day, hour, minute);
  field(buf);
  const unsigned cents = rng() % 5001;
  std::snprintf(buf, sizeof buf, "%u.%02u", cents / 100, cents % 100);
  field(buf);
  if (rng() % 20 == 0) {
    field("");
  } else {
    field(std::to_string(12346 + rng() % 5942));
  }
  append_field(pick_from(rng, kCountries), quote_all, out);
  out += '\n';
}

inline void append_transactional_row(std::mt19937& rng, std::uint64_t row, std::string& out) {
  static const char* const kFirst[] = {
      "Ana",   "Luka",  "Maria", "John",  "Wei",        "Fatima",       "Olga",  "Pierre",
      "Sofia", "Kenji", "Amara", "Mateo", "Zo\xc3\xab", "Bj\xc3\xb6rn", "Priya", "Noah"};
  static const char* const kLast[] = {"Horvat",
                                      "Smith",
                                      "Garc\xc3\xad"
                                      "a",
                                      "M\xc3\xbcller",
                                      "Kowalski",
                                      "Nguyen",
                                      "Rossi",
                                      "O'Brien",
                                      "Dubois",
                                      "Tanaka",
                                      "Silva",
                                      "Novak",
                                      "Jensen",
                                      "Okafor"};
  static const char* const kCities[] = {
      "Portland, OR",     "Zagreb", "Paris",  "Austin, TX",  "M\xc3\xbcnchen", "Lagos",
      "S\xc3\xa3o Paulo", "Kyoto",  "Dublin", "Toronto, ON", "Split",          "Oslo"};
  static const char* const kNotes[] = {"Customer asked for a \"gift wrap\" option.",
                                       "Delivered to the neighbour, \"Mrs. K\".",
                                       "Refund requested:\nitem arrived damaged.",
                                       "Call back after 5pm, ask for \"Ivo\".",
                                       "Address changed;\nsee ticket #4411, \"urgent\"",
                                       "Paid in two parts, second on Friday.",
                                       "VIP \xe2\x80\x94 priority shipping",
                                       "Left at the door\r\nno signature"};
  static const char* const kCurrencies[] = {"EUR", "USD", "GBP"};
  static const char* const kStatuses[] = {"paid", "refunded", "pending"};
  char buf[64];
  out += std::to_string(900000 + row);
  const unsigned month = 1 + rng() % 12;
  const unsigned day = 1 + rng() % 28;
  const unsigned hour = rng() % 24;
  const unsigned minute = rng() % 60;
  const unsigned second = rng() % 60;
  int n = std::snprintf(buf, sizeof buf, ",2024-%02u-%02uT%02u:%02u:%02uZ,", month, day, hour,
                        minute, second);
  out.append(buf, static_cast<std::size_t>(n));
  const std::string first = pick_from(rng, kFirst);
  const std::string last = pick_from(rng, kLast);
  out += first;
  out += ' ';
  out += last;
  out += ',';
  // The address is lower-cased ASCII only (the non-ASCII letters pass as they are) without the
  // apostrophe, as gen_csv.py writes it.
  for (char c : first) out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  out += '.';
  for (char c : last) {
    if (c != '\'') out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  out += std::to_string(1 + rng() % 99);
  out += "@example.com,";
  append_field(pick_from(rng, kCities), false, out);
  const unsigned cents = 100 + rng() % 499901;
  n = std::snprintf(buf, sizeof buf, ",%u.%02u,", cents / 100, cents % 100);
  out.append(buf, static_cast<std::size_t>(n));
  out += pick_from(rng, kCurrencies);
  out += ',';
  out += pick_from(rng, kStatuses);
  out += ',';
  if (rng() % 2 == 0) append_field(pick_from(rng, kNotes), false, out);
  out += '\n';
}

}  // namespace detail

// A header and data rows of `kind` until the text reaches `bytes`, from a fixed seed.
inline std::string generate_csv(CsvKind kind, std::size_t bytes) {
  std::mt19937 rng(20240601u + static_cast<unsigned>(kind));
  std::string out;
  out.reserve(bytes + 512);
  if (kind == CsvKind::kTransactional) {
    out += "TxId,CreatedAt,CustomerName,Email,City,Amount,Currency,Status,Note\n";
  } else if (kind == CsvKind::kQuoteAll) {
    out +=
        "\"RowId\",\"InvoiceNo\",\"StockCode\",\"Description\",\"Quantity\",\"InvoiceDate\","
        "\"UnitPrice\",\"CustomerID\",\"Country\"\n";
  } else {
    out +=
        "RowId,InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,"
        "Country\n";
  }
  for (std::uint64_t row = 1; out.size() < bytes; ++row) {
    if (kind == CsvKind::kTransactional) {
      detail::append_transactional_row(rng, row, out);
    } else {
      detail::append_invoice_row(rng, row, kind == CsvKind::kHard, kind == CsvKind::kQuoteAll, out);
    }
  }
  return out;
}

}  // namespace dsfill::bench
