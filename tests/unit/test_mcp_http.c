/* test_mcp_http.c — the pure checks of the MCP HTTP transport: Host and
 * Origin validation on loopback binds (DNS rebinding guard). */
#include "mcp/mcp_http.h"
#include "t.h"
#include <string.h>

TEST(host_ok)
{
	CHECK(mcp_http_host_ok(STR_LIT("localhost")));
	CHECK(mcp_http_host_ok(STR_LIT("LOCALHOST:3001")));
	CHECK(mcp_http_host_ok(STR_LIT("127.0.0.1")));
	CHECK(mcp_http_host_ok(STR_LIT("127.0.0.1:3001")));
	CHECK(mcp_http_host_ok(STR_LIT("[::1]")));
	CHECK(mcp_http_host_ok(STR_LIT("[::1]:8080")));
	CHECK(!mcp_http_host_ok(STR_LIT("")));
	CHECK(!mcp_http_host_ok(STR_LIT("evil.example")));
	CHECK(!mcp_http_host_ok(STR_LIT("evil.example:3001")));
	CHECK(!mcp_http_host_ok(STR_LIT("localhost.evil.example")));
	CHECK(!mcp_http_host_ok(STR_LIT("127.0.0.1.nip.io")));
	CHECK(!mcp_http_host_ok(STR_LIT("127.0.0.1:")));
	CHECK(!mcp_http_host_ok(STR_LIT("127.0.0.1:99999")));
	CHECK(!mcp_http_host_ok(STR_LIT("127.0.0.1:30x1")));
	CHECK(!mcp_http_host_ok(STR_LIT("[::1]x")));
	CHECK(!mcp_http_host_ok(STR_LIT("[::1")));
	CHECK(!mcp_http_host_ok(STR_LIT("[::2]")));
	CHECK(!mcp_http_host_ok(STR_LIT("0.0.0.0")));
}

TEST(origin_ok)
{
	CHECK(mcp_http_origin_ok(STR_LIT("http://localhost")));
	CHECK(mcp_http_origin_ok(STR_LIT("http://localhost:5173")));
	CHECK(mcp_http_origin_ok(STR_LIT("https://127.0.0.1:3001")));
	CHECK(mcp_http_origin_ok(STR_LIT("http://[::1]:3001")));
	CHECK(!mcp_http_origin_ok(STR_LIT("null")));
	CHECK(!mcp_http_origin_ok(STR_LIT("http://")));
	CHECK(!mcp_http_origin_ok(STR_LIT("http://evil.example")));
	CHECK(!mcp_http_origin_ok(STR_LIT("http://localhost.evil.example")));
	CHECK(!mcp_http_origin_ok(STR_LIT("file://localhost")));
	CHECK(!mcp_http_origin_ok(STR_LIT("localhost")));
}

int main(void)
{
	RUN(host_ok);
	RUN(origin_ok);
	return t_done();
}
