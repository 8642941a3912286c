// net::parse_url and the request parts built from it: scheme, host, default and explicit
// ports, IPv6 literals, base paths, and the URLs the client refuses.
#include "net/url.h"

#include <gtest/gtest.h>

namespace dsfill::net {
namespace {

Url parse_ok(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url.has_value()) << text << ": " << (url ? "" : url.error().message);
  return url ? *url : Url{};
}

std::string refusal(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_FALSE(url.has_value()) << text;
  if (url) return "";
  EXPECT_EQ(url.error().code, ErrorCode::kBadArgument);
  return url.error().message;
}

TEST(Url, HttpsGetsPort443AndTls) {
  const Url u = parse_ok("https://app.graphite-note.com/api/");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "app.graphite-note.com");
  EXPECT_EQ(u.port, "443");
}

TEST(Url, HttpGetsPort80WithoutTls) {
  const Url u = parse_ok("http://example.com/");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.port, "80");
}

TEST(Url, ExplicitPortIsKept) {
  EXPECT_EQ(parse_ok("http://127.0.0.1:8080").port, "8080");
  EXPECT_EQ(parse_ok("https://h:8443/x").port, "8443");
}

TEST(Url, EmptyPortFallsBackToTheDefault) { EXPECT_EQ(parse_ok("http://h:/x").port, "80"); }

TEST(Url, BasePathLosesItsTrailingSlashes) {
  EXPECT_EQ(parse_ok("https://h/api/").base_path, "/api");
  EXPECT_EQ(parse_ok("https://h/api//").base_path, "/api");
  EXPECT_EQ(parse_ok("https://h/").base_path, "");
  EXPECT_EQ(parse_ok("https://h").base_path, "");
}

TEST(Url, TargetJoinsBasePathAndEndpoint) {
  EXPECT_EQ(parse_ok("https://h/api/").target("dataset-fill"), "/api/dataset-fill");
  EXPECT_EQ(parse_ok("http://h:1").target("dataset-complete"), "/dataset-complete");
  EXPECT_EQ(parse_ok("http://h/a/b").target("x"), "/a/b/x");
}

TEST(Url, TheDocumentedEndpointUrlGivesItsBase) {
  // As the API documentation prints it: the endpoint's URL. Its base is what the client joins.
  const Url fill = parse_ok("https://app.graphite-note.com/api/dataset-fill");
  EXPECT_EQ(fill.base_path, "/api");
  EXPECT_EQ(fill.endpoint_given, "dataset-fill");
  EXPECT_EQ(fill.target("dataset-fill"), "/api/dataset-fill");
  EXPECT_EQ(fill.target("dataset-complete"), "/api/dataset-complete");
  EXPECT_EQ(parse_ok("http://h:1/dataset-complete/").target("dataset-fill"), "/dataset-fill");
  EXPECT_EQ(parse_ok("http://h/dataset-fill").base_path, "");
  // The base itself, and other paths, are kept as they are.
  EXPECT_EQ(parse_ok("https://h/api").endpoint_given, "");
  EXPECT_EQ(parse_ok("https://h/api/dataset-filler").base_path, "/api/dataset-filler");
  EXPECT_EQ(parse_ok("https://h/dataset-fill/v2").base_path, "/dataset-fill/v2");
}

TEST(Url, AUrlWithoutSchemeGetsTheLikelyFix) {
  EXPECT_NE(refusal("localhost:28080").find("did you mean 'http://localhost:28080'"),
            std::string::npos);
  EXPECT_NE(refusal("app.graphite-note.com/api").find("no scheme"), std::string::npos);
}

TEST(Url, BracketHostBracketsOnlyIpv6Literals) {
  EXPECT_EQ(bracket_host("::1"), "[::1]");
  EXPECT_EQ(bracket_host("fe80::1%25eth0"), "[fe80::1%25eth0]");
  EXPECT_EQ(bracket_host("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(bracket_host("example.com"), "example.com");
}

TEST(Url, HostHeaderOmitsOnlyTheDefaultPort) {
  EXPECT_EQ(parse_ok("https://app.graphite-note.com/api").host_header(), "app.graphite-note.com");
  EXPECT_EQ(parse_ok("http://h:80/").host_header(), "h");
  EXPECT_EQ(parse_ok("http://127.0.0.1:8080").host_header(), "127.0.0.1:8080");
  // 443 is the default of https only: on http it is named.
  EXPECT_EQ(parse_ok("http://h:443/").host_header(), "h:443");
  EXPECT_EQ(parse_ok("https://h:80/").host_header(), "h:80");
}

TEST(Url, Ipv6LiteralHostHasNoBracketsButTheHostHeaderDoes) {
  const Url u = parse_ok("http://[::1]:9000/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "9000");
  EXPECT_EQ(u.host_header(), "[::1]:9000");
  EXPECT_EQ(parse_ok("https://[2001:db8::7]/").host_header(), "[2001:db8::7]");
}

TEST(Url, OtherSchemesAreRefused) {
  const std::string error = refusal("ftp://host/");
  EXPECT_NE(error.find("http or https"), std::string::npos) << error;
  EXPECT_NE(error.find("ftp://host/"), std::string::npos) << error;
}

TEST(Url, UserInfoIsRefused) {
  EXPECT_NE(refusal("http://u:p@host/").find("user info"), std::string::npos);
}

TEST(Url, QueryIsRefused) {
  EXPECT_NE(refusal("http://host/api?x=1").find("query or fragment"), std::string::npos);
}

TEST(Url, FragmentIsRefusedNamingTheUrl) {
  // An absolute URI has no fragment, so the parser already refuses it as not absolute.
  EXPECT_NE(refusal("http://host/api#top").find("'http://host/api#top'"), std::string::npos);
}

TEST(Url, MissingHostIsRefused) {
  EXPECT_NE(refusal("http:///api").find("no host"), std::string::npos);
}

TEST(Url, RelativeOrMalformedTextIsRefused) {
  EXPECT_NE(refusal("not a url").find("not an absolute URL"), std::string::npos);
  EXPECT_NE(refusal("/api/dataset-fill").find("not an absolute URL"), std::string::npos);
  EXPECT_NE(refusal("").find("not an absolute URL"), std::string::npos);
}

TEST(RedirectTarget, RelativeAndSameOriginLocationsGiveTheNewTarget) {
  const Url from = parse_ok("https://api.example.com/api");
  const std::string target = "/api/dataset-fill";
  EXPECT_EQ(redirect_target(from, target, "/v2/dataset-fill").value(), "/v2/dataset-fill");
  EXPECT_EQ(redirect_target(from, target, "fill2").value(), "/api/fill2");
  EXPECT_EQ(redirect_target(from, target, "https://API.example.com:443/x?a=1").value(), "/x?a=1");
}

TEST(RedirectTarget, AnotherOriginOrHttpsToHttpIsRefused) {
  const Url from = parse_ok("https://api.example.com/api");
  const std::string target = "/api/dataset-fill";
  auto down = redirect_target(from, target, "http://api.example.com/api/dataset-fill");
  ASSERT_FALSE(down.has_value());
  EXPECT_NE(down.error().message.find("leaves https"), std::string::npos) << down.error().message;
  EXPECT_FALSE(redirect_target(from, target, "https://other.example.com/x").has_value());
  EXPECT_FALSE(redirect_target(from, target, "https://api.example.com:8443/x").has_value());
  EXPECT_FALSE(redirect_target(from, target, "ftp://api.example.com/x").has_value());
  EXPECT_FALSE(redirect_target(from, target, "http://[bad").has_value());
}

}  // namespace
}  // namespace dsfill::net
