#include "server/http_mapping.h"

#include <cstdio>

#include "server/envelope.h"

namespace dsfill::server {

namespace {

void append_double(double v, std::string& out) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

void append_bound(const char* key, const std::optional<double>& v, std::string& out) {
  out += key;
  if (v) {
    append_double(*v, out);
  } else {
    out += "null";
  }
}

}  // namespace

unsigned http_status_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kBadCsv:
    case ErrorCode::kBadEncoding:
    case ErrorCode::kBadNumber:
    case ErrorCode::kBadDate:
    case ErrorCode::kBadGzip:
    case ErrorCode::kBadCompressed:
    case ErrorCode::kBadBase64:
    case ErrorCode::kBadJson:
    case ErrorCode::kBadArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kBadMethod:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kKeyReused:
      return 422;
    case ErrorCode::kBusy:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDiskFull:
      return 507;
    case ErrorCode::kStorage:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;  // not reached: the switch names every code
}

Answer error_answer(const Error& error) {
  return Answer{http_status_for(error), error_envelope(error.message), 0, false};
}

StoredAnswer answer_to_keep(std::string_view dataset, const FillOutcome& outcome) {
  return StoredAnswer{
      200, success_envelope(fill_details(dataset, outcome.rows_count, outcome.rows_inserted))};
}

Answer replay_answer(const StoredAnswer& kept) { return Answer{kept.status, kept.body, 0, true}; }

Answer fill_answer(std::string_view dataset, const FillOutcome& outcome) {
  if (outcome.replay) return replay_answer(*outcome.replay);
  StoredAnswer fresh = answer_to_keep(dataset, outcome);
  return Answer{fresh.status, std::move(fresh.body), outcome.rows_inserted, false};
}

Answer create_answer(std::string_view user, std::string_view dataset,
                     const CreateOutcome& outcome) {
  const unsigned status = outcome.created ? 201 : 200;
  if (!outcome.columns) return Answer{status, success_envelope("{}"), 0, false};
  std::string details = R"({"user-code":)";
  append_json_text(user, details);
  details += R"(,"dataset-code":)";
  append_json_text(dataset, details);
  details += R"(,"columns":)";
  codec::append_columns_json(*outcome.columns, details);
  details += '}';
  return Answer{status, success_envelope(details), 0, false};
}

Answer shape_answer(std::string_view dataset, const DatasetShape& shape) {
  std::string details = R"({"dataset-code":)";
  append_json_text(dataset, details);
  details += R"(,"rows-count":)" + std::to_string(shape.rows_count);
  if (shape.profiled) {
    details += R"(,"load-number":)" + std::to_string(shape.load_number);
    details += R"(,"columns":[)";
    for (std::size_t i = 0; i < shape.columns.size(); ++i) {
      const ColumnShape& c = shape.columns[i];
      if (i > 0) details += ',';
      details += R"({"name":)";
      append_json_text(c.name, details);
      details += R"(,"empty-count":)" + std::to_string(c.empty_count);
      if (c.measure) {
        append_bound(R"(,"min":)", c.min, details);
        append_bound(R"(,"max":)", c.max, details);
      }
      details += '}';
    }
    details += ']';
  }
  details += '}';
  return Answer{200, success_envelope(details), shape.rows_count, false};
}

Answer health_answer(unsigned active_requests) {
  return Answer{200,
                success_envelope(R"({"status":"ok","active-requests":)" +
                                 std::to_string(active_requests) + "}"),
                0, false};
}

Answer describe_answer(std::string_view user, std::string_view dataset, const DatasetInfo& info) {
  if (!info.catalogued) {
    return Answer{200, success_envelope(R"({"rows-count":)" + std::to_string(info.row_count) + "}"),
                  info.row_count, false};
  }
  std::string details = R"({"user-code":)";
  append_json_text(user, details);
  details += R"(,"dataset-code":)";
  append_json_text(dataset, details);
  details += R"(,"rows-count":)" + std::to_string(info.row_count);
  details += R"(,"completed":)";
  details += info.completed ? "true" : "false";
  details += R"(,"load-number":)" + std::to_string(info.load_number);
  details += R"(,"table":)";
  append_json_text(info.table_name, details);
  details += R"(,"columns":)";
  codec::append_columns_json(info.columns, details);
  details += '}';
  return Answer{200, success_envelope(details), info.row_count, false};
}

}  // namespace dsfill::server
