#include "server/request.h"

#include <simdjson.h>

#include "server/failures.h"

namespace dsfill::server {

namespace od = simdjson::ondemand;

namespace {

Error bad(std::string what) { return make_error(ErrorCode::kBadJson, std::move(what)); }

enum Field : unsigned {
  kUser = 1,
  kDataset = 2,
  kColumns = 4,
  kInsertData = 8,
  kAppend = 16,
  kCompressed = 32
};

struct Fields {
  unsigned seen = 0;
  std::string_view user, dataset, insert_data;
  std::string_view columns_json;
  bool append = false, compressed = false;
};

// Reads the top-level object, keeping the fields named in `wanted`.
Result<Fields> read_fields(od::parser& parser, std::string& body, unsigned wanted) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (auto err = parser.iterate(body.data(), body.size(), body.capacity()).get(doc)) {
    return json_parse_error("request body is not JSON: ", err);
  }
  od::object obj;
  if (auto err = doc.get_object().get(obj)) {
    if (err == simdjson::INCORRECT_TYPE) return bad("request body must be a JSON object");
    return bad(std::string("request body is not JSON: ") + simdjson::error_message(err));
  }
  Fields f;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) {
      return bad(std::string("request body is not JSON: ") + simdjson::error_message(err));
    }
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) {
      return bad(std::string("request body is not JSON: ") + simdjson::error_message(err));
    }
    unsigned which = 0;
    if (key == "user-code")
      which = kUser;
    else if (key == "dataset-code")
      which = kDataset;
    else if (key == "columns")
      which = kColumns;
    else if (key == "insert-data")
      which = kInsertData;
    else if (key == "append")
      which = kAppend;
    else if (key == "compressed")
      which = kCompressed;
    if ((which & wanted) == 0) {
      continue;  // unknown or unused fields are skipped (On-Demand skips their values)
    }
    if (f.seen & which) return bad("field \"" + std::string(key) + "\" appears twice");
    f.seen |= which;
    od::value v = field.value();
    switch (which) {
      case kUser:
      case kDataset:
      case kInsertData: {
        std::string_view s;
        if (unescaped_string_text(v.raw_json_token(), s)) {
          // Take the text in place: copying (unescaping) insert-data, the bulk of the body,
          // would only duplicate it.
          od::raw_json_string consumed;
          if (v.get_raw_json_string().get(consumed)) {
            return bad("field \"" + std::string(key) + "\" must be a string");
          }
        } else if (v.get_string().get(s)) {
          return bad("field \"" + std::string(key) + "\" must be a string");
        }
        (which == kUser ? f.user : which == kDataset ? f.dataset : f.insert_data) = s;
        break;
      }
      case kColumns: {
        od::array a;
        if (v.get_array().get(a)) return bad("field \"columns\" must be an array");
        if (auto err = a.raw_json().get(f.columns_json)) {
          return bad(std::string("field \"columns\": ") + simdjson::error_message(err));
        }
        break;
      }
      case kAppend:
      case kCompressed: {
        bool b = false;
        if (v.get_bool().get(b))
          return bad("field \"" + std::string(key) + "\" must be true or false");
        (which == kAppend ? f.append : f.compressed) = b;
        break;
      }
    }
  }
  if (doc.current_location().error() == simdjson::SUCCESS)
    return bad("request body has trailing content after the JSON object");
  static constexpr std::pair<unsigned, const char*> kNames[] = {
      {kUser, "user-code"},         {kDataset, "dataset-code"}, {kColumns, "columns"},
      {kInsertData, "insert-data"}, {kAppend, "append"},        {kCompressed, "compressed"}};
  for (auto [bit, name] : kNames) {
    if ((wanted & bit) && !(f.seen & bit)) {
      return bad(std::string("missing required field \"") + name + "\"");
    }
  }
  if (!is_valid_code(f.user)) {
    return bad("user-code must be 1-128 characters from A-Z a-z 0-9 . _ ~ -, not . or ..");
  }
  if (!is_valid_code(f.dataset)) {
    return bad("dataset-code must be 1-128 characters from A-Z a-z 0-9 . _ ~ -, not . or ..");
  }
  return f;
}

Result<codec::Columns> read_columns(std::string_view json) {
  auto columns = codec::parse_columns_json(json);
  if (!columns) return bad("columns: " + columns.error().message);
  return columns;
}

}  // namespace

bool is_valid_code(std::string_view code) {
  if (code.empty() || code.size() > 128) return false;
  // "." and ".." name the current and parent folder in paths (GET /datasets/{user}/{dataset})
  // and in any tool that maps codes to files.
  if (code == "." || code == "..") return false;
  for (char c : code) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '~' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<FillRequest> parse_fill_request(od::parser& parser, std::string& body) {
  auto f =
      read_fields(parser, body, kUser | kDataset | kColumns | kInsertData | kAppend | kCompressed);
  if (!f) return f.error();
  FillRequest out;
  out.user_code.assign(f->user);
  out.dataset_code.assign(f->dataset);
  auto columns = read_columns(f->columns_json);
  if (!columns) return columns.error();
  out.columns = std::move(*columns);
  out.insert_data = f->insert_data;
  out.append = f->append;
  out.compressed = f->compressed;
  return out;
}

Result<DatasetRequest> parse_dataset_request(od::parser& parser, std::string& body,
                                             bool with_columns) {
  auto f = read_fields(parser, body, kUser | kDataset | (with_columns ? kColumns : 0u));
  if (!f) return f.error();
  DatasetRequest out;
  out.user_code.assign(f->user);
  out.dataset_code.assign(f->dataset);
  if (with_columns) {
    auto columns = read_columns(f->columns_json);
    if (!columns) return columns.error();
    out.columns = std::move(*columns);
  }
  return out;
}

}  // namespace dsfill::server
