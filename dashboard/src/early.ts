/**
 * The page's first script, written into index.html by the build (before the stylesheet, so it
 * runs at once). Opened on the board with a key in this tab, the page asks for the board's data
 * at once: the service prepares it while the browser loads and runs the bundle, and the app's
 * client takes the answers over (ApiClient.askEarly). The fleet list is the board's longest wait.
 */
import { ApiClient, KEY_STORAGE } from './api-client';
import { mapApi } from './views/map-api';

const key = sessionStorage.getItem(KEY_STORAGE);
if (key && /^#\/fleet(\?|$)/.test(location.hash)) {
  ApiClient.askEarly(key, (client) => {
    // Failures are the app's to show, when it takes the answers over.
    const asked = [client.me(), client.vehicles(), client.organizations(), mapApi(client).settings(), mapApi(client).depots()];
    for (const answer of asked) answer.catch(() => undefined);
  });
}
