/* xlate_codec.c — the (adapter, operation) -> translator table. Each native
 * family adds its rows here; the adapters of the stream-state structs are
 * the only glue (the translators keep their typed signatures). */
#include "providers/xlate_codec.h"
#include "providers/xlate_anthropic.h"
#include "providers/xlate_bedrock.h"
#include "providers/xlate_cohere.h"
#include "providers/xlate_gemini.h"
#include "providers/xlate_gemini_embed.h"

/* ---- Anthropic Messages ---------------------------------------------------- */

static void anthropic_init(void *st, const xlate_ctx *cx) { xlate_anthropic_stream_init(st, cx); }

static int anthropic_feed(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err)
{
	return xlate_anthropic_stream_feed(st, type, data, scratch, out, err);
}

static int anthropic_end(void *st, buf *out, xlate_err *err) { return xlate_anthropic_stream_end(st, out, err); }

static const xlate_codec anthropic_chat = {
	.name = "anthropic.chat",
	.id = "chatcmpl-anthropic",
	.request = xlate_anthropic_request,
	.response = xlate_anthropic_response,
	.error = xlate_anthropic_error,
	.stream_size = sizeof(xlate_anthropic_stream),
	.stream_init = anthropic_init,
	.stream_feed = anthropic_feed,
	.stream_end = anthropic_end,
	.header_name = "anthropic-beta",
	.header_value = xlate_anthropic_beta,
};

/* ---- Google generateContent (AI Studio and Vertex AI share the body) --------- */

static void gemini_init(void *st, const xlate_ctx *cx) { xlate_gemini_stream_init(st, cx); }

static int gemini_feed(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err)
{
	(void)type;
	return xlate_gemini_stream_feed(st, data, scratch, out, err);
}

static int gemini_end(void *st, buf *out, xlate_err *err) { return xlate_gemini_stream_end(st, out, err); }

static const xlate_codec gemini_chat = {
	.name = "gemini.chat",
	.id = "chatcmpl-gemini",
	.request = xlate_gemini_request,
	.response = xlate_gemini_response,
	.error = xlate_gemini_error,
	.stream_size = sizeof(xlate_gemini_stream),
	.stream_init = gemini_init,
	.stream_feed = gemini_feed,
	.stream_end = gemini_end,
};

/* Vertex AI: the same generateContent bodies, its own names */
static const xlate_codec vertex_chat = {
	.name = "vertex.chat",
	.id = "chatcmpl-vertex",
	.request = xlate_gemini_request,
	.response = xlate_gemini_response,
	.error = xlate_gemini_error,
	.stream_size = sizeof(xlate_gemini_stream),
	.stream_init = gemini_init,
	.stream_feed = gemini_feed,
	.stream_end = gemini_end,
};

/* Embeddings: AI Studio embedContent / batchEmbedContents, Vertex AI predict */
static const xlate_codec gemini_embeddings = {
	.name = "gemini.embeddings",
	.id = "gemini-embed",
	.request = xlate_gemini_embed_request,
	.response = xlate_gemini_embed_response,
	.error = xlate_gemini_error,
};

static const xlate_codec vertex_embeddings = {
	.name = "vertex.embeddings",
	.id = "vertex-embed",
	.request = xlate_gemini_embed_predict_request,
	.response = xlate_gemini_embed_predict_response,
	.error = xlate_gemini_error,
};

/* ---- Cohere v2 Chat (embeddings and rerank are OpenAI-compatible) --------------- */

static void cohere_init(void *st, const xlate_ctx *cx) { xlate_cohere_stream_init(st, cx); }

static int cohere_feed(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err)
{
	return xlate_cohere_stream_feed(st, type, data, scratch, out, err);
}

static int cohere_end(void *st, buf *out, xlate_err *err) { return xlate_cohere_stream_end(st, out, err); }

static const xlate_codec cohere_chat = {
	.name = "cohere.chat",
	.id = "chatcmpl-cohere",
	.request = xlate_cohere_request,
	.response = xlate_cohere_response,
	.error = xlate_cohere_error,
	.stream_size = sizeof(xlate_cohere_stream),
	.stream_init = cohere_init,
	.stream_feed = cohere_feed,
	.stream_end = cohere_end,
};

static const xlate_codec cohere_embeddings = {
	.name = "cohere.embeddings",
	.id = "cohere-embed",
	.request = xlate_cohere_embed_request,
	.response = xlate_bedrock_embed_response, /* knows Cohere's embeddings shapes */
	.error = xlate_cohere_error,
};

/* ---- AWS Bedrock: Converse / ConverseStream chat, InvokeModel embeddings ------------ */

static void bedrock_init(void *st, const xlate_ctx *cx) { xlate_bedrock_stream_init(st, cx); }

static int bedrock_feed(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err)
{
	return xlate_bedrock_stream_feed(st, type, data, scratch, out, err);
}

static int bedrock_end(void *st, buf *out, xlate_err *err) { return xlate_bedrock_stream_end(st, out, err); }

static const xlate_codec bedrock_chat = {
	.name = "bedrock.chat",
	.id = "chatcmpl-bedrock",
	.request = xlate_bedrock_request,
	.response = xlate_bedrock_response,
	.error = xlate_bedrock_error,
	.stream_size = sizeof(xlate_bedrock_stream),
	.stream_init = bedrock_init,
	.stream_feed = bedrock_feed,
	.stream_end = bedrock_end,
};

static const xlate_codec bedrock_embeddings = {
	.name = "bedrock.embeddings",
	.id = "bedrock-embed",
	.request = xlate_bedrock_embed_request,
	.response = xlate_bedrock_embed_response,
	.error = xlate_bedrock_error,
};

/* ---- the table ------------------------------------------------------------------ */

static const struct {
	provider_adapter adapter;
	provider_op op;
	const xlate_codec *codec;
} rows[] = {
	{ PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_OP_CHAT, &anthropic_chat },
	{ PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_CHAT, &gemini_chat },
	{ PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_EMBEDDINGS, &gemini_embeddings },
	{ PROVIDER_ADAPTER_VERTEX, PROVIDER_OP_CHAT, &vertex_chat },
	{ PROVIDER_ADAPTER_VERTEX, PROVIDER_OP_EMBEDDINGS, &vertex_embeddings },
	{ PROVIDER_ADAPTER_BEDROCK, PROVIDER_OP_CHAT, &bedrock_chat },
	{ PROVIDER_ADAPTER_BEDROCK, PROVIDER_OP_EMBEDDINGS, &bedrock_embeddings },
	{ PROVIDER_ADAPTER_COHERE, PROVIDER_OP_CHAT, &cohere_chat },
	{ PROVIDER_ADAPTER_COHERE, PROVIDER_OP_EMBEDDINGS, &cohere_embeddings },
};

const xlate_codec *xlate_codec_for(provider_adapter a, provider_op op)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].adapter == a && rows[i].op == op)
			return rows[i].codec;
	return NULL;
}
