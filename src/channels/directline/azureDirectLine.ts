import { z } from 'zod';

export const AZURE_DIRECT_LINE_DOMAIN = 'https://directline.botframework.com/v3/directline';

const AzureTokenSchema = z.object({ conversationId: z.string().min(1), token: z.string().min(1), expires_in: z.number().optional() });

export type AzureToken = z.infer<typeof AzureTokenSchema>;

/**
 * Exchanges the Direct Line secret for a conversation token with Azure's Direct Line service, so
 * the secret stays on the server. `fetchImpl` is injectable for tests.
 */
export async function generateAzureToken(secret: string, userId: string, fetchImpl: typeof fetch = fetch): Promise<AzureToken> {
  const res = await fetchImpl(`${AZURE_DIRECT_LINE_DOMAIN}/tokens/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user: { id: userId } }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`generateAzureToken(): Direct Line answered ${res.status}`);
  const parsed = AzureTokenSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error('generateAzureToken(): Direct Line answered without a token');
  return parsed.data;
}
