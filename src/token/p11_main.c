/* p11_main.c: tokendesk-p11, the process a PKCS#11 module runs in
 * (src/token/remote.h says why).  Started by the token layer with the
 * module's checked file as descriptor 3. */
#include <config.h>

#include "tokendesk/token.h"

int main(int argc, char **argv)
{
	return td_p11_helper_main(argc, argv);
}
