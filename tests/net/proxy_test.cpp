#include "net/proxy.h"

#include <map>

#include <gtest/gtest.h>

namespace dsfill::net {
namespace {

Url url_of(const char* text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url) << text;
  return *url;
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ProxyUrl, DefaultsSchemeAndPortAsCurl) {
  auto p = parse_proxy_url("proxy.corp:3128");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, "3128");
  EXPECT_FALSE(p->has_credentials());
  p = parse_proxy_url("http://proxy.corp");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->port, "1080");
  EXPECT_EQ(p->display(), "http://proxy.corp:1080");
  p = parse_proxy_url("http://[::1]:8080/");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->display(), "http://[::1]:8080");
}

TEST(ProxyUrl, DecodesCredentialsAndNeverShowsThem) {
  auto p = parse_proxy_url("http://al%40ice:s%3Acr3t@proxy:3128");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "al@ice");
  EXPECT_EQ(p->password, "s:cr3t");
  EXPECT_EQ(p->display().find("s:cr3t"), std::string::npos);
  auto bad = parse_proxy_url("https://alice:s3cret@proxy:3128");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("s3cret"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("TLS to the proxy"), std::string::npos);
  bad = parse_proxy_url("socks5://proxy:1080");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("SOCKS"), std::string::npos);
  EXPECT_FALSE(parse_proxy_url(""));
  EXPECT_FALSE(parse_proxy_url("http://proxy:99999"));
}

TEST(NoProxy, NamesMatchThemselvesAndSubdomains) {
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com", "443"));
  EXPECT_TRUE(no_proxy_matches("example.com", "api.Example.COM.", "443"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "example.com", "443"));
  EXPECT_TRUE(no_proxy_matches("*.example.com", "a.b.example.com", "443"));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com", "443"));
  EXPECT_FALSE(no_proxy_matches("api.example.com", "example.com", "443"));
  EXPECT_TRUE(no_proxy_matches("foo, bar ,example.com", "example.com", "80"));
  EXPECT_TRUE(no_proxy_matches("foo bar example.com", "example.com", "80"));
  EXPECT_TRUE(no_proxy_matches("*", "anything", "80"));
  EXPECT_FALSE(no_proxy_matches("", "anything", "80"));
  EXPECT_FALSE(no_proxy_matches("*.", "anything", "80"));
}

TEST(NoProxy, AddressesRangesAndPorts) {
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1", "8080"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2", "8080"));
  EXPECT_FALSE(no_proxy_matches("localhost", "127.0.0.1", "8080"));  // no resolving, as curl
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.20.30.40", "80"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1", "80"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "ten.example", "80"));
  EXPECT_TRUE(no_proxy_matches("fd00::/8", "fd12::1", "80"));
  EXPECT_TRUE(no_proxy_matches("::1", "::1", "80"));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1", "80"));
  EXPECT_TRUE(no_proxy_matches("[::1]:8443", "::1", "8443"));
  EXPECT_FALSE(no_proxy_matches("[::1]:8443", "::1", "443"));
  EXPECT_TRUE(no_proxy_matches("example.com:8443", "example.com", "8443"));
  EXPECT_FALSE(no_proxy_matches("example.com:8443", "example.com", "443"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1:9", "127.0.0.1", "9"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1:9", "127.0.0.1", "10"));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/99", "10.0.0.1", "80"));
}

TEST(ChooseProxy, BySchemeLowercaseFirstThenAllProxy) {
  const auto env = env_of({{"https_proxy", "http://low:1"},
                           {"HTTPS_PROXY", "http://up:2"},
                           {"HTTP_PROXY", "http://plain:3"},
                           {"ALL_PROXY", "http://all:4"}});
  auto c = choose_proxy(url_of("https://api.example.com/api"), "", false, env);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->proxy);
  EXPECT_EQ(c->proxy->host, "low");
  EXPECT_EQ(c->source, "https_proxy");
  c = choose_proxy(url_of("http://api.example.com/api"), "", false, env);
  ASSERT_TRUE(c && c->proxy);
  EXPECT_EQ(c->proxy->host, "plain");
  EXPECT_EQ(c->source, "HTTP_PROXY");
  c = choose_proxy(url_of("http://h/api"), "", false, env_of({{"ALL_PROXY", "all:4"}}));
  ASSERT_TRUE(c && c->proxy);
  EXPECT_EQ(c->source, "ALL_PROXY");
}

TEST(ChooseProxy, EmptyValueFlagAndNoProxy) {
  // Set but empty: no proxy, and the fallbacks are not consulted (curl).
  auto c = choose_proxy(url_of("https://h/api"), "", false,
                        env_of({{"https_proxy", ""}, {"ALL_PROXY", "http://all:4"}}));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->proxy);
  const auto env = env_of({{"HTTPS_PROXY", "http://env:1"}, {"NO_PROXY", ".internal"}});
  c = choose_proxy(url_of("https://h/api"), "http://flag:9", false, env);
  ASSERT_TRUE(c && c->proxy);
  EXPECT_EQ(c->proxy->host, "flag");
  EXPECT_EQ(c->source, "--proxy");
  // NO_PROXY applies to --proxy too, as in curl.
  c = choose_proxy(url_of("https://db.internal/api"), "http://flag:9", false, env);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->proxy);
  EXPECT_EQ(c->bypassed_by, "NO_PROXY");
  // The lowercase list, when set, is the list.
  c = choose_proxy(
      url_of("https://db.internal/api"), "", false,
      env_of({{"HTTPS_PROXY", "http://env:1"}, {"no_proxy", "other"}, {"NO_PROXY", ".internal"}}));
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->proxy);
  c = choose_proxy(url_of("https://h/api"), "http://flag:9", true, env);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->proxy);
  EXPECT_TRUE(c->source.empty());
  auto bad = choose_proxy(url_of("https://h/api"), "", false,
                          env_of({{"HTTPS_PROXY", "socks5://u:pw@p:1"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("HTTPS_PROXY"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("pw"), std::string::npos);
}

TEST(ProxyErrors, StatusesAndCategory) {
  EXPECT_EQ(proxy_errc_for_status(407), ProxyErrc::kAuthRequired);
  EXPECT_EQ(proxy_errc_for_status(403), ProxyErrc::kRefused);
  EXPECT_EQ(proxy_errc_for_status(502), ProxyErrc::kUnavailable);
  const boost::system::error_code ec = ProxyErrc::kAuthRequired;
  EXPECT_EQ(ec.category(), proxy_category());
  EXPECT_NE(ec.message().find("407"), std::string::npos);
}

}  // namespace
}  // namespace dsfill::net
