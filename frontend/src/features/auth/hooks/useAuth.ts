import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { fetchMe, login, logout, register, type Credentials, type Registration, type User } from '../api/auth';

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: fetchMe, staleTime: 60_000 });
}

/** Everything cached belongs to the previous user (mine flags, reservations): start clean. */
function useAfterAuthChange() {
  const queryClient = useQueryClient();
  return (user: User | null) => {
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.me[0] });
    queryClient.setQueryData(queryKeys.me, user);
  };
}

export function useLogin() {
  const after = useAfterAuthChange();
  return useMutation({ mutationFn: (c: Credentials) => login(c), onSuccess: (user) => after(user) });
}

export function useRegister() {
  const after = useAfterAuthChange();
  return useMutation({ mutationFn: (r: Registration) => register(r), onSuccess: (user) => after(user) });
}

export function useLogout() {
  const after = useAfterAuthChange();
  return useMutation({ mutationFn: logout, onSettled: () => after(null) });
}
