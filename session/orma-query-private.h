/* orma-query-private.h: placeholder */
#pragma once
