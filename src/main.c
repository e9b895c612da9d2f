/* main.c — argv, subcommands, wiring only (the one composition root). */
#include <stdio.h>
int main(void)
{
	printf("liter-llm %s\n", LITER_LLM_VERSION);
	return 0;
}
