import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';

/**
 * CloudAdapter with its activity entry point opened up: our HTTP layer validates the body with
 * zod and writes the response itself, instead of CloudAdapter.process() (which logs to the console
 * and answers a malformed body with a 500).
 */
export class SupportAdapter extends CloudAdapter {
  async processValidated(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}
